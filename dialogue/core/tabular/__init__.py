"""Tables read from the CSV and Excel files people export."""
