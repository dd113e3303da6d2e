"""AugmentOS Cloud domain: the app store, TPA servers, app sessions, transcripts, error reports."""
