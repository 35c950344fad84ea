"""What happens to units and reports, independent of HTTP: importing, saving, status, demo data."""
