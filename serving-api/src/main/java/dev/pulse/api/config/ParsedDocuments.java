package dev.pulse.api.config;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import graphql.ExecutionInput;
import graphql.execution.preparsed.PreparsedDocumentEntry;
import graphql.execution.preparsed.PreparsedDocumentProvider;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * graphql-java's parse and validation of a document, done once per distinct document (and locale,
 * which validation messages are written in) rather than once per request: the dashboards send the
 * same few documents over and over, with only their variables changing. Validation depends on the
 * document and the schema alone; everything that depends on the request (variables, the caller,
 * introspection per request, the depth and complexity limits) runs at execution, as before. Bounded
 * by the documents' total length, so that many distinct documents only evict one another.
 */
final class ParsedDocuments implements PreparsedDocumentProvider {

  /** Characters of documents kept (a dashboard document is under 1,000). */
  static final long MAX_CHARACTERS = 8_000_000;

  private record Key(String document, Locale locale) {}

  private final Cache<Key, PreparsedDocumentEntry> cache =
      Caffeine.newBuilder()
          .maximumWeight(MAX_CHARACTERS)
          .weigher((Key key, PreparsedDocumentEntry entry) -> key.document().length() + 64)
          .build();

  @Override
  public CompletableFuture<PreparsedDocumentEntry> getDocumentAsync(
      ExecutionInput input, Function<ExecutionInput, PreparsedDocumentEntry> parseAndValidate) {
    return CompletableFuture.completedFuture(
        cache.get(
            new Key(input.getQuery(), input.getLocale()), key -> parseAndValidate.apply(input)));
  }
}
