"""The outputs of a run: the HTML additions, results.json, waivers."""
