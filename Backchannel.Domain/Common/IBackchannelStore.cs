using Marten;

namespace Backchannel.Domain.Common;

/// <summary>
/// Backchannel's own Marten store: its events, decision snapshots and views, in a schema of their own, beside (never
/// inside) the app's store. Resolve it from the container to read Backchannel's views outside a Wolverine handler;
/// Backchannel's handlers and endpoints are given sessions of this store by Wolverine.
/// </summary>
public interface IBackchannelStore : IDocumentStore;
