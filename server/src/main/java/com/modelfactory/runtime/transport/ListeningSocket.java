package com.modelfactory.runtime.transport;

import io.netty.channel.Channel;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a Vert.x HTTP server's listening socket while leaving its connections open. A drain needs
 * exactly that: clients that would connect again are refused (nothing sent, nothing lost) while
 * connections already open get their answers; Vert.x's own shutdown closes idle connections at once,
 * racing with requests already on their way. Vert.x has no public call for it, so this reaches the
 * server's bound channel by reflection; when that fails, the drain goes on and the port closes at the end.
 */
public final class ListeningSocket {
    private static final Logger log = LoggerFactory.getLogger(ListeningSocket.class);

    private ListeningSocket() {
    }

    /** @return true when the port no longer accepts connections */
    public static boolean stopAccepting(HttpServer server) {
        try {
            Object tcp = AcceptDeadline.field(server, "tcpServer");
            @SuppressWarnings("unchecked")
            Future<Channel> bound = (Future<Channel>) AcceptDeadline.field(tcp, "bindFuture");
            if (bound == null || bound.result() == null) {
                return false;
            }
            bound.result().close().syncUninterruptibly();
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.debug("could not close the listening socket early: {}", e.toString());
            return false;
        }
    }
}
