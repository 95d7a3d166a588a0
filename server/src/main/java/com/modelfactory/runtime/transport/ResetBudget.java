package com.modelfactory.runtime.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2FrameListenerDecorator;
import io.netty.handler.codec.http2.Http2Stream;
import io.vertx.core.http.HttpServerOptions;

/**
 * How many streams an HTTP/2 client may reset (RST_STREAM on a stream still open) before its connection is
 * told to go away: the rapid-reset defence (CVE-2023-44487), made to tell an attack from a client that
 * cancels calls. Vert.x's own defence counts every reset, 200 in 30 s, and then closes the connection at
 * once with every call on it: a grpc-java or grpcio client cancelling 4 of every 5 calls (a deadline, a
 * user abort, hedging) lost its fifth call about every 50 rounds (issue 24).
 *
 * <p>Here a window allows {@link #BASE} resets plus {@link #PER_ANSWER} for every stream of the window that
 * ended without a reset. An attack that resets everything it opens gets the same 200 as before; a client
 * whose calls mostly end normally is never stopped. An attacker could earn resets with cheap calls, but a
 * reset then costs this server at most what {@code PER_ANSWER} ordinary calls cost, and the work a reset
 * call leaves behind is bounded by the request queue's capacity, not by the stream count. Over the
 * budget the connection gets GOAWAY (ENHANCE_YOUR_CALM) and is closed once its calls in flight end.
 *
 * <p>Per connection, not per client address: behind an ingress, a service mesh or a NAT every client shares
 * one address, so a per-address budget would stop the innocent with the attacker. A client that reconnects
 * every 190 resets pays a TCP (and TLS) handshake each time; limiting connection rates per address is the
 * ingress's job. Vert.x's flat limit stays as an outer bound ({@link #OUTER_LIMIT}), which also bounds the
 * resets this server sends (the "MadeYouReset" attack).
 */
public final class ResetBudget extends Http2FrameListenerDecorator {
    static final int BASE = 200;
    static final int PER_ANSWER = 10;
    static final long WINDOW_NANOS = 30_000_000_000L;
    /** Vert.x's flat limit per 30 s, far above what {@code BASE + PER_ANSWER x answers} allows a normal client. */
    static final int OUTER_LIMIT = 10_000;

    private final Runnable overrun;
    private long windowStart = System.nanoTime();
    private int resets;
    private int closed;
    private boolean exceeded;

    private ResetBudget(Http2FrameListener listener, Runnable overrun) {
        super(listener);
        this.overrun = overrun;
    }

    /** Server options with Vert.x's flat reset limit raised to the outer bound. */
    public static HttpServerOptions outerLimit(HttpServerOptions options) {
        return options.setHttp2RstFloodMaxRstFramePerWindow(OUTER_LIMIT).setHttp2RstFloodWindowDuration(30);
    }

    /**
     * Counts the resets of the connection {@code handler} serves; {@code overrun} runs once, on its event loop,
     * when they go over the budget.
     */
    static void install(Http2ConnectionHandler handler, Runnable overrun) {
        ResetBudget budget = new ResetBudget(handler.decoder().frameListener(), overrun);
        handler.decoder().frameListener(budget);
        handler.connection().addListener(new Http2ConnectionAdapter() {
            @Override
            public void onStreamClosed(Http2Stream stream) {
                budget.streamClosed();
            }
        });
    }

    /** Netty calls this only for a stream still open: a reset of a finished stream costs nothing. */
    @Override
    public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) throws Http2Exception {
        roll();
        resets++;
        if (!exceeded && overBudget(resets, closed)) {
            exceeded = true;
            overrun.run();
        }
        super.onRstStreamRead(ctx, streamId, errorCode);
    }

    private void streamClosed() {
        roll();
        closed++;
    }

    /** @param closed streams closed in the window, the reset ones among them */
    static boolean overBudget(int resets, int closed) {
        long answered = Math.max(0, closed - resets);
        return resets > BASE + PER_ANSWER * answered;
    }

    private void roll() {
        long now = System.nanoTime();
        if (now - windowStart >= WINDOW_NANOS) {
            windowStart = now;
            resets = 0;
            closed = 0;
        }
    }
}
