"""Warta enrich: what the workers make of a report's text (normalise: plain title, sanitised
body, dateline, event date, excerpt, warnings; tag: places, organisations, topics, keywords).
Pure functions of the text, run by the stage tasks in `warta_enrich.tasks`."""
