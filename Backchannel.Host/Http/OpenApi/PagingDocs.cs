using System.Globalization;
using Backchannel.Projections;
using Microsoft.OpenApi;

namespace Backchannel.Host.Http;

/// <summary>Documents the page parameters of every list from <see cref="Paging"/>: the range of <c>limit</c>, what <c>after</c> takes.</summary>
internal static class PagingDocs
{
    public static void Describe(OpenApiOperation operation)
    {
        foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
        {
            switch (parameter.Name)
            {
                case "limit":
                    parameter.Description = $"The entries of a page: 1 to {Paging.MaxLimit}, {Paging.DefaultLimit} unless given; more is a 400 naming `limit`.";
                    if (parameter.Schema is OpenApiSchema limit)
                    {
                        limit.Minimum = "1";
                        limit.Maximum = Paging.MaxLimit.ToString(CultureInfo.InvariantCulture);
                        limit.Default = System.Text.Json.Nodes.JsonValue.Create(Paging.DefaultLimit);
                    }
                    break;
                case "after":
                    parameter.Description = "The `next` cursor of the page before, as given; the first page without it. Anything else is a 400 naming `after`.";
                    break;
            }
        }
    }
}
