namespace Tributary.Runtime.Tests.Support;

/// <summary>One ordered log shared by the recording destination and the recording state store, so a test can
/// assert which happened first: a batch written or a state saved.</summary>
public sealed class EventLog
{
    private readonly Lock _gate = new();
    private readonly List<string> _events = [];

    public void Add(string entry)
    {
        lock (_gate)
        {
            _events.Add(entry);
        }
    }

    public IReadOnlyList<string> Snapshot()
    {
        lock (_gate)
        {
            return [.. _events];
        }
    }
}
