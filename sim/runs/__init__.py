"""Running the model: building a world, replications, comparisons (studies) and benchmarks."""
