"""The round lifecycle: scheduling, the locked-settings rule, editing and follow-on rounds."""
