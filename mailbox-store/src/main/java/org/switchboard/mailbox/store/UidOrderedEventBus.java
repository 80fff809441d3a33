package org.switchboard.mailbox.store;

import java.util.Collection;
import java.util.Set;

import org.apache.james.events.Event;
import org.apache.james.events.EventBus;
import org.apache.james.events.EventBusName;
import org.apache.james.events.EventListener;
import org.apache.james.events.Group;
import org.apache.james.events.GroupAlreadyRegistered;
import org.apache.james.events.Registration;
import org.apache.james.events.RegistrationKey;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.events.MailboxEvents;
import org.reactivestreams.Publisher;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The event bus as the store's message managers see it: "message added" events of a mailbox go out in UID order
 * ({@link AddedEventsInUidOrder}); everything else passes unchanged.
 */
final class UidOrderedEventBus implements EventBus {
    /**
     * Where announcements wait for their turn: threads of their own, so that a waiting announcement never holds a
     * worker of Reactor's shared pool on which the append it waits for could be queued.
     */
    private static final Scheduler WAITING = Schedulers.newBoundedElastic(256, Integer.MAX_VALUE, "announce-in-uid-order",
        60, true);

    private final EventBus delegate;
    private final AddedEventsInUidOrder order;

    UidOrderedEventBus(EventBus delegate, AddedEventsInUidOrder order) {
        this.delegate = delegate;
        this.order = order;
    }

    @Override
    public Mono<Void> dispatch(Event event, Set<RegistrationKey> keys) {
        if (!(event instanceof MailboxEvents.Added added) || added.getUids().isEmpty()) {
            return delegate.dispatch(event, keys);
        }
        Collection<MessageUid> uids = added.getUids();
        MessageUid lowest = uids.stream().min(MessageUid::compareTo).orElseThrow();
        return Mono.defer(() -> {
            order.awaitTurn(added.getMailboxId(), lowest);
            return delegate.dispatch(event, keys);
        }).subscribeOn(WAITING)
            .doFinally(signal -> order.announced(added.getMailboxId(), uids));
    }

    @Override
    public Publisher<Registration> register(EventListener.ReactiveEventListener listener, RegistrationKey key) {
        return delegate.register(listener, key);
    }

    @Override
    public Registration register(EventListener.ReactiveEventListener listener, Group group) throws GroupAlreadyRegistered {
        return delegate.register(listener, group);
    }

    @Override
    public Mono<Void> reDeliver(Group group, Event event) {
        return delegate.reDeliver(group, event);
    }

    @Override
    public EventBusName eventBusName() {
        return delegate.eventBusName();
    }

    @Override
    public Collection<Group> listRegisteredGroups() {
        return delegate.listRegisteredGroups();
    }
}
