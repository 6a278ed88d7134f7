namespace Junction.Tests;

/// <summary>Tests that count the bytes the whole process allocates run alone, after the others.</summary>
[CollectionDefinition(nameof(ProcessWideAllocation), DisableParallelization = true)]
public sealed class ProcessWideAllocation;
