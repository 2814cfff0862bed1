package org.electrolab.replica.transport;

import java.util.HashMap;
import java.util.Map;

import org.electrolab.protocol.Message;
import org.electrolab.protocol.config.ClusterConfig;

/**
 * Replica-to-replica messages must come from the member address at their sender index and from the
 * cluster port: a sender index alone is a byte anyone can write. Requests come from clients,
 * which may be anywhere.
 */
final class SourceCheck {

    private final Map<String, Integer> memberByHost = new HashMap<>();
    private final int port;

    SourceCheck(ClusterConfig config) {
        for (int i = 0; i < config.memberCount(); i++) memberByHost.put(config.members().get(i).getHostAddress(), i);
        this.port = config.port();
    }

    /** Why {@code message} from {@code host:port} must be dropped, or null when it may be delivered. */
    DropReason check(Message message, String host, int sourcePort) {
        if (message instanceof Message.Request) return null;
        Integer member = sourcePort == port ? memberByHost.get(host) : null;
        if (member == null) return DropReason.NON_MEMBER_SOURCE;
        return member == message.sender() ? null : DropReason.SENDER_MISMATCH;
    }
}
