"""The ``tinlaodong`` command: one module per subcommand, wired in ``main``."""
