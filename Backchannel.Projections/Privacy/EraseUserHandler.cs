using Backchannel.Domain.Common;
using Backchannel.Domain.Privacy;
using Wolverine.Attributes;

namespace Backchannel.Projections.Privacy;

/// <summary>
/// Erases a user when <see cref="EraseUser"/> is sent over the bus (an app without HTTP), as
/// <see cref="Erasing.EraseUserAsync"/> does: send it through <c>IMessageBus.InvokeAsync&lt;ErasureReport&gt;</c>.
/// </summary>
public static class EraseUserHandler
{
    /// <summary>Runs the erasure; it opens its own sessions, stream by stream, so it takes no transaction of the bus.</summary>
    [NonTransactional]
    public static Task<ErasureReport> Handle(EraseUser command, IBackchannelStore store, TimeProvider clock, CancellationToken ct) =>
        store.EraseUserAsync(command, clock, ct: ct);
}
