# Ballots, positions, comments and membership arrive with the deliberation work.
