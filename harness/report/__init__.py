"""What a run looks like and how two runs differ: `harness report` (one offline HTML page) and `harness compare`."""
