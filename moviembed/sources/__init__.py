"""Where movies come from: the bundled catalog, id files, the TMDB 5000 dataset, TMDB."""
