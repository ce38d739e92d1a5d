"""Reading and writing: results folders, map data, scenario reference docs."""
