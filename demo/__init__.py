"""The demo province (its unit lists and sentence bank in this folder) and make run's demo site."""
