namespace Tributary.Connectors.SimpleThreeStepCursor;

/// <summary>A source row. A record works as a row: its property names are the column names.</summary>
internal sealed record HelloWorldRow(int id, string message);
