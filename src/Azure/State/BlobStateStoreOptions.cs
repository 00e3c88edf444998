using Tributary.Runtime.State;

namespace Tributary.Azure.State;

/// <summary>Where <see cref="BlobStateStore"/> keeps its blobs and how it holds a connector's lease.</summary>
public sealed class BlobStateStoreOptions
{
    /// <summary>The container name the infrastructure creates: <c>tributary-state</c>.</summary>
    public const string DefaultContainerName = "tributary-state";

    /// <summary>The blob container holding every connector's state, history, runs and lease. Default <c>tributary-state</c>.</summary>
    public string ContainerName { get; set; } = DefaultContainerName;

    /// <summary>
    /// Create the container on first use when it does not exist (Azurite, a new account). Default <see langword="true"/>;
    /// on Azure the infrastructure creates it and a refusal to create it is ignored.
    /// </summary>
    public bool CreateContainer { get; set; } = true;

    /// <summary>
    /// How long a blob lease lasts without renewal, between 15 and 60 seconds (Blob Storage's limits). Default 60 seconds:
    /// a run that dies leaves its connector locked for at most this long.
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often a held lease is renewed; less than <see cref="LeaseDuration"/>. Default 20 seconds (a third of the default duration).</summary>
    public TimeSpan LeaseRenewalInterval { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>What is kept of each connector's state history and run records; see <see cref="RetentionOptions"/>.</summary>
    public RetentionOptions Retention { get; set; } = new();

    /// <summary>Throws when a value is out of range.</summary>
    /// <exception cref="ArgumentException">The container name is empty, or a lease time or retention limit is out of range.</exception>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(ContainerName, nameof(ContainerName));
        ArgumentOutOfRangeException.ThrowIfLessThan(LeaseDuration, TimeSpan.FromSeconds(15), nameof(LeaseDuration));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(LeaseDuration, TimeSpan.FromSeconds(60), nameof(LeaseDuration));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(LeaseRenewalInterval, TimeSpan.Zero, nameof(LeaseRenewalInterval));
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(LeaseRenewalInterval, LeaseDuration, nameof(LeaseRenewalInterval));
        ArgumentNullException.ThrowIfNull(Retention);
        Retention.Validate();
    }
}
