from tests.augur.world import augur, only_augur  # noqa: F401  (fixtures)
