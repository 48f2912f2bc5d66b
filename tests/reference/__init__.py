"""Reference engines that tests and benchmarks run beside pycompose (a private Docker daemon: `dockerd`)."""
