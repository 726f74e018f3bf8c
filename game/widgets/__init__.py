"""Small reusable widgets: meters, zone map, countdown, choice list, timeline, scenario list."""
