"""The TMDB API: a polite client, an on-disk response cache, a fetcher using both."""
