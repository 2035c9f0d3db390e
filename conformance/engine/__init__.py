"""The run model: targets and agents opened, scenarios scheduled, stages observed, verdicts judged."""
