package com.modelfactory.runtime.fetch;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;

/**
 * The body handler of one request: a 2xx body streams to the target file, any other answer's body is
 * dropped. Remembers the response head and the file subscriber, which the downloader watches while the
 * body arrives (bytes so far, last activity).
 */
final class ResponseToFile implements HttpResponse.BodyHandler<Long> {
    private final Path target;
    private volatile HttpResponse.ResponseInfo head;
    private volatile FileBodySubscriber body;
    private volatile IOException openFailure;

    ResponseToFile(Path target) {
        this.target = target;
    }

    @Override
    public HttpResponse.BodySubscriber<Long> apply(HttpResponse.ResponseInfo info) {
        head = info;
        if (info.statusCode() / 100 != 2) {
            return HttpResponse.BodySubscribers.replacing(-1L);
        }
        try {
            FileBodySubscriber s = new FileBodySubscriber(target);
            body = s;
            return s;
        } catch (IOException e) {
            openFailure = e;
            return HttpResponse.BodySubscribers.replacing(-1L);
        }
    }

    Path target() {
        return target;
    }

    /** The head of the response, null until it arrived. */
    HttpResponse.ResponseInfo head() {
        return head;
    }

    /** The file the body streams to, null until a 2xx head arrived. */
    FileBodySubscriber body() {
        return body;
    }

    /** Why the target file could not be opened, or null. */
    IOException openFailure() {
        return openFailure;
    }

    /** The Content-Length of the head, or -1. */
    long expectedBytes() {
        HttpResponse.ResponseInfo h = head;
        return h == null ? -1 : h.headers().firstValueAsLong("Content-Length").orElse(-1);
    }
}
