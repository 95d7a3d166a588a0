package com.modelfactory.runtime.transport;

import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.util.AttributeKey;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import java.lang.reflect.Field;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A deadline from accept for a socket to become a connection. With h2c on the port, Vert.x makes a
 * connection (and calls the connection handler, where the timers of the guards start) only once the
 * first request's headers are complete; until then only its idle timeout applies, which every byte
 * resets: a client sending one header byte every few seconds held its socket for hours. This closes
 * accepted sockets that no guard has claimed within the timeout. Vert.x offers no accept hook, so the
 * server's channel group is reached by reflection; when that fails, the idle timeout alone applies.
 */
public final class AcceptDeadline {
    private static final Logger log = LoggerFactory.getLogger(AcceptDeadline.class);
    private static final AttributeKey<Long> SEEN = AttributeKey.valueOf("model-runtime.accept-seen");
    private static final AttributeKey<Boolean> CLAIMED = AttributeKey.valueOf("model-runtime.accept-claimed");

    private AcceptDeadline() {
    }

    /** Sweeps the server's accepted sockets a few times per {@code timeout}. @return false if unavailable */
    public static boolean install(Vertx vertx, HttpServer server, Duration timeout) {
        ChannelGroup accepted = channels(server);
        if (accepted == null) {
            return false;
        }
        long nanos = timeout.toNanos();
        vertx.setPeriodic(Math.max(50, timeout.toMillis() / 4), id -> {
            long now = System.nanoTime();
            for (Channel ch : accepted) {
                if (ch.parent() == null || Boolean.TRUE.equals(ch.attr(CLAIMED).get())) {
                    continue;
                }
                Long seen = ch.attr(SEEN).setIfAbsent(now);
                if (seen != null && now - seen > nanos) {
                    ch.close();
                }
            }
        });
        return true;
    }

    /** The socket of {@code connection} has become a connection whose owner times it from now on. */
    public static void claim(HttpConnection connection) {
        io.netty.channel.ChannelPipeline p = IdleTimeouts.pipeline(connection);
        if (p != null) {
            p.channel().attr(CLAIMED).set(Boolean.TRUE);
        }
    }

    private static ChannelGroup channels(HttpServer server) {
        try {
            Object tcp = field(server, "tcpServer");
            return (ChannelGroup) field(tcp, "channelGroup");
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.debug("no accept deadline: {}", e.toString());
            return null;
        }
    }

    static Object field(Object o, String name) throws ReflectiveOperationException {
        for (Class<?> c = o.getClass(); c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f.get(o);
            } catch (NoSuchFieldException next) {
                // look in the superclass
            }
        }
        throw new NoSuchFieldException(name);
    }
}
