using System.Security.Claims;
using Backchannel.Domain.Questions;
using Backchannel.Host.Auth;
using Microsoft.AspNetCore.Mvc;
using Wolverine;
using Wolverine.Http;

namespace Backchannel.Host.Http;

/// <summary>The audience's questions: asking and upvoting (listeners), screening and answering (the stage).</summary>
public static class QuestionEndpoints
{
    /// <summary>Asks the stage a question, optionally anonymously: present listeners only; over the questions limit, 429.</summary>
    [WolverinePost("/rooms/{id}/questions", OperationId = "askQuestion")]
    [ProducesResponseType<QuestionCreated>(StatusCodes.Status201Created)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status429TooManyRequests, "application/problem+json")]
    public static Task<IResult> Ask(string id, AskQuestionBody body, ClaimsPrincipal user, IMessageBus bus)
    {
        var questionId = Ids.New();
        return bus.Paced(new AskQuestion(questionId, id, user.Handle(), body.Text, body.Anonymous),
            warning => TypedResults.Created($"/rooms/{id}", new QuestionCreated(questionId, warning)));
    }

    /// <summary>Upvotes a question, once: present listeners only.</summary>
    [WolverinePost("/rooms/{id}/questions/{questionId}/upvote", OperationId = "upvoteQuestion")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public static Task<IResult> Upvote(string id, string questionId, ClaimsPrincipal user, IMessageBus bus) =>
        bus.NoContent(new UpvoteQuestion(questionId, id, user.Handle()));

    /// <summary>Takes back your upvote.</summary>
    [WolverineDelete("/rooms/{id}/questions/{questionId}/upvote", OperationId = "withdrawUpvote")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public static Task<IResult> WithdrawUpvote(string id, string questionId, ClaimsPrincipal user, IMessageBus bus) =>
        bus.NoContent(new WithdrawUpvote(questionId, id, user.Handle()));

    /// <summary>Approves a pending question, showing it to the room: moderators and speakers.</summary>
    [WolverinePost("/rooms/{id}/questions/{questionId}/approve", OperationId = "approveQuestion")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public static Task<IResult> Approve(string id, string questionId, ClaimsPrincipal user, IMessageBus bus) =>
        bus.NoContent(new ApproveQuestion(questionId, id, user.Handle()));

    /// <summary>Sets a question aside (<c>?reason=</c> optional, so the request needs no body).</summary>
    [WolverinePost("/rooms/{id}/questions/{questionId}/dismiss", OperationId = "dismissQuestion")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public static Task<IResult> Dismiss(string id, string questionId, string? reason, ClaimsPrincipal user, IMessageBus bus) =>
        bus.NoContent(new DismissQuestion(questionId, id, user.Handle(), reason));

    /// <summary>Puts a question back to pending: moderators and speakers.</summary>
    [WolverinePost("/rooms/{id}/questions/{questionId}/reopen", OperationId = "reopenQuestion")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public static Task<IResult> Reopen(string id, string questionId, ClaimsPrincipal user, IMessageBus bus) =>
        bus.NoContent(new ReopenQuestion(questionId, id, user.Handle()));

    /// <summary>Pins a question at the top of the room's list: moderators and speakers.</summary>
    [WolverinePost("/rooms/{id}/questions/{questionId}/pin", OperationId = "pinQuestion")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public static Task<IResult> Pin(string id, string questionId, ClaimsPrincipal user, IMessageBus bus) =>
        bus.NoContent(new PinQuestion(questionId, id, user.Handle()));

    /// <summary>Unpins a question: moderators and speakers.</summary>
    [WolverineDelete("/rooms/{id}/questions/{questionId}/pin", OperationId = "unpinQuestion")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public static Task<IResult> Unpin(string id, string questionId, ClaimsPrincipal user, IMessageBus bus) =>
        bus.NoContent(new UnpinQuestion(questionId, id, user.Handle()));

    /// <summary>Answers a question in writing, publicly or to the asker alone: moderators and speakers.</summary>
    [WolverinePost("/rooms/{id}/questions/{questionId}/answer", OperationId = "answerQuestion")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public static Task<IResult> Answer(string id, string questionId, AnswerBody body, ClaimsPrincipal user, IMessageBus bus) =>
        bus.NoContent(new AnswerQuestion(questionId, id, user.Handle(), body.Text, body.Visibility));

    /// <summary>Marks a question answered on the stage: moderators and speakers.</summary>
    [WolverinePost("/rooms/{id}/questions/{questionId}/answered-live", OperationId = "markAnsweredLive")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public static Task<IResult> AnsweredLive(string id, string questionId, ClaimsPrincipal user, IMessageBus bus) =>
        bus.NoContent(new MarkAnsweredLive(questionId, id, user.Handle()));
}
