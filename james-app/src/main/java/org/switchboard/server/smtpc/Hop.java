package org.switchboard.server.smtpc;

/**
 * One SMTP server to try: the name it was found by (an MX target, a host table entry, a relay host) and the address
 * to connect to.
 */
record Hop(String name, String address, int port) {
    @Override
    public String toString() {
        return name.equals(address) ? address + ":" + port : name + "[" + address + "]:" + port;
    }
}
