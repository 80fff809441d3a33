package org.switchboard.mailbox.store;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.apache.james.core.Username;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.exception.SubscriptionException;
import org.apache.james.mailbox.store.user.SubscriptionMapper;
import org.apache.james.mailbox.store.user.model.Subscription;
import org.switchboard.mailbox.store.RocksDbMailboxStore.Table;

import com.google.common.collect.ImmutableList;

/** Subscriptions as keys (user, mailbox name) without value: one key range per user. */
public class RocksDbSubscriptionMapper implements SubscriptionMapper {
    private static final byte[] PRESENT = new byte[0];

    private final RocksDbMailboxStore store;

    RocksDbSubscriptionMapper(RocksDbMailboxStore store) {
        this.store = store;
    }

    @Override
    public void save(Subscription subscription) throws SubscriptionException {
        write(batch -> batch.put(Table.SUBSCRIPTIONS, key(subscription), PRESENT));
    }

    @Override
    public List<Subscription> findSubscriptionsForUser(Username user) {
        byte[] userPrefix = Keys.subscription(user, "");
        ImmutableList.Builder<Subscription> subscriptions = ImmutableList.builder();
        store.scan(Table.SUBSCRIPTIONS, userPrefix, (key, value) -> {
            subscriptions.add(new Subscription(user,
                new String(key, userPrefix.length, key.length - userPrefix.length, StandardCharsets.UTF_8)));
            return true;
        });
        return subscriptions.build();
    }

    @Override
    public void delete(Subscription subscription) throws SubscriptionException {
        write(batch -> batch.delete(Table.SUBSCRIPTIONS, key(subscription)));
    }

    private static byte[] key(Subscription subscription) {
        return Keys.subscription(subscription.getUser(), subscription.getMailbox());
    }

    private void write(RocksDbMailboxStore.Change change) throws SubscriptionException {
        try {
            store.commit(change);
        } catch (MailboxException e) {
            throw new SubscriptionException(e);
        }
    }
}
