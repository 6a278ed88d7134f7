// Each test runs a Kestrel host and a Junction runtime; on the shared 2-core machine they run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
