// Packing and building apps is CPU-heavy: one at a time, so that on a 2-core machine the other test assemblies that
// run beside this one (timing-sensitive lab tests among them) keep a core.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
