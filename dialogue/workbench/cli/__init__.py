"""The workbench's commands: theme analysis from the command line and the embedding worker."""
