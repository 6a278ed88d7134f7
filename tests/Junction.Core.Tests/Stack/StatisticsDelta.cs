using System.Reflection;
using Junction.Stack;

namespace Junction.Tests.Stack;

/// <summary>A copy of every counter, to assert which ones an action moved and by how much (and that no other moved).</summary>
internal sealed class StatisticsDelta
{
    private static readonly PropertyInfo[] Counters = typeof(NetStackStatistics)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.PropertyType == typeof(long))
        .ToArray();

    private readonly NetStackStatistics _statistics;
    private readonly Dictionary<string, long> _before = [];

    public StatisticsDelta(NetStackStatistics statistics)
    {
        _statistics = statistics;
        foreach (PropertyInfo counter in Counters) _before[counter.Name] = (long)counter.GetValue(statistics)!;
    }

    /// <summary>How much one counter moved since the copy was taken.</summary>
    public long Changed(string counter) =>
        (long)Counters.Single(c => c.Name == counter).GetValue(_statistics)! - _before[counter];

    /// <summary>Asserts that exactly the named counters moved, each by the given amount.</summary>
    public void AssertMoved(params (string Counter, long By)[] expected)
    {
        Assert.NotEmpty(Counters);
        var expectedDeltas = expected.ToDictionary(e => e.Counter, e => e.By);
        foreach (string name in expectedDeltas.Keys) Assert.Contains(Counters, c => c.Name == name);
        foreach (PropertyInfo counter in Counters)
        {
            long delta = (long)counter.GetValue(_statistics)! - _before[counter.Name];
            long want = expectedDeltas.GetValueOrDefault(counter.Name);
            Assert.True(want == delta, $"{counter.Name} moved by {delta}, expected {want}");
        }
    }
}
