namespace Junction.Bench;

/// <summary>One measured figure: a rate (unit depends on the scenario) and bytes allocated per operation in steady state.</summary>
internal readonly record struct BenchResult(double Rate, double AllocatedPerOperation);
