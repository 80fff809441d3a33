package org.switchboard.mailets.lists;

/**
 * How bad a bounce is, with what it adds to the member's bounce score (Mailman's weights): {@link #HARD} a permanent
 * failure (5.x.x), {@link #SOFT} a temporary one (4.x.x) reported as failed.
 */
public enum BounceKind {
    HARD(1.0),
    SOFT(0.5);

    private final double weight;

    BounceKind(double weight) {
        this.weight = weight;
    }

    public double weight() {
        return weight;
    }
}
