"""The game's screens, one module each: picker, play, explanation, debrief, help and the small dialogs."""
