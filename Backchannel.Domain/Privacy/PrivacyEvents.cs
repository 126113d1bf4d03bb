using Backchannel.Domain.Common;
namespace Backchannel.Domain.Privacy;

// Events of a user's erasure stream (stream key: ErasureStreams.Id(user)). They carry no free text: an erasure is
// itself audited (who asked, when, what it changed) and must not keep what it removed.

/// <summary>
/// <paramref name="RequestedBy"/> (the user themselves, or an operator) asked that <paramref name="UserId"/> be erased.
/// Recorded before anything is masked: from then on the user's tokens are refused, and a run that stops midway is
/// completed by the next one.
/// </summary>
public sealed record ErasureRequested(string UserId, string RequestedBy, bool ByOperator, DateTimeOffset At) : IStreamEvent
{
    string IStreamEvent.StreamId => ErasureStreams.Id(UserId);
}

/// <summary>
/// Every text <paramref name="UserId"/> wrote is masked in the stored events and in the views: the run that finished it
/// masked <paramref name="EventsMasked"/> events and changed <paramref name="DocumentsChanged"/> documents.
/// </summary>
public sealed record UserErased(string UserId, int EventsMasked, int DocumentsChanged, DateTimeOffset At) : IStreamEvent
{
    string IStreamEvent.StreamId => ErasureStreams.Id(UserId);
}
