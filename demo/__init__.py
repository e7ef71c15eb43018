"""The demo park and the scale park: seed data, not features (issue 23).

``flask seed-demo`` builds the Xinjing Demo Park (``demo.seed``) through every package's
real services, so that each feature can be tried by hand; ``flask seed-scale`` bulk-loads
the large Scale Test Park (``demo.seed_scale``) for benchmarks. The package sits outside
the features: it imports every package (marketplace's reviews and ratings too) and none
imports it, except the composition root, which registers its commands.
"""
