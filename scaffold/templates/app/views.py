"""Views of [[app]]. LiveViews made by `djust new view NAME --app [[app]]` go in
[[app]]/live/, one module each; components in [[app]]/components/."""
