package org.switchboard.server.smtpd;

import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.apache.james.core.Username;
import org.apache.james.protocols.smtp.SMTPSession;

import com.google.common.net.InetAddresses;

/**
 * The parts of an SMTP session the connection controls read: client and server address, authenticated user, relay
 * permission and attachments. Any other method fails, so a test cannot pass on something it did not set up.
 */
final class FakeSession {
    private FakeSession() {
    }

    static SMTPSession from(String clientAddress) {
        return session(clientAddress, null, false);
    }

    static SMTPSession session(String clientAddress, String user, boolean relayingAllowed) {
        Map<Object, Object> attachments = new HashMap<>();
        InetSocketAddress remote = new InetSocketAddress(InetAddresses.forString(clientAddress), 40000);
        InetSocketAddress local = new InetSocketAddress(InetAddresses.forString("192.0.2.25"), 25);
        return (SMTPSession) Proxy.newProxyInstance(SMTPSession.class.getClassLoader(), new Class<?>[] {SMTPSession.class},
            (proxy, method, args) -> switch (method.getName()) {
                case "getRemoteAddress" -> remote;
                case "getLocalAddress" -> local;
                case "getUsername" -> user == null ? null : Username.of(user);
                case "isRelayingAllowed" -> relayingAllowed;
                case "getSessionID" -> "test";
                case "setAttachment" -> Optional.ofNullable(attachments.put(args[0], args[1]));
                case "getAttachment" -> Optional.ofNullable(attachments.get(args[0]));
                case "removeAttachment" -> Optional.ofNullable(attachments.remove(args[0]));
                case "toString" -> "FakeSession from " + clientAddress;
                default -> throw new UnsupportedOperationException(method.getName());
            });
    }
}
