package org.switchboard.it;

/** {@link ImapSearchIT} with the JPA message store ({@code mailbox.store=jpa}): its own index, the same guarantees. */
class ImapSearchJpaIT extends ImapSearchIT {
    @Override
    protected String store() {
        return "jpa";
    }
}
