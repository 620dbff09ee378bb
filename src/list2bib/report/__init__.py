"""What a run tells people: the terminal summary, the review report, the changes."""
