package org.switchboard.directory.routing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiConsumer;

import org.apache.james.core.MailAddress;

/**
 * The spec's alias table (Build Alias Table): alias address (lower-cased) to the owner's {@code mail}, an immutable
 * snapshot replaced as a whole.
 *
 * <p>Conflicts: an alias that is some entry's own {@code mail} is left out (the entry wins); an alias claimed by
 * two different entries is ambiguous and left out. Both are reported through the {@code warn} callback naming the
 * entries.
 *
 * @param owners        alias key to owner address
 * @param dependentDns  normalized DNs of every entry that claims an alias or holds a claimed alias as its mail: a
 *                      change of any other entry only matters to the table if it now has aliases or a claimed mail
 * @param claimedKeys   every alias key claimed, kept or not
 * @param builtAtNanos  {@link System#nanoTime()} when the build started (the table reflects the directory then)
 * @param ambiguous     aliases left out because several entries claim them
 * @param conflicting   aliases left out because they are an entry's own mail
 */
record AliasTable(Map<String, MailAddress> owners, Set<String> dependentDns, Set<String> claimedKeys,
                  long builtAtNanos, int ambiguous, int conflicting) {

    /** An alias value of an entry. */
    record Claim(String aliasKey, String normalizedDn, String dn, MailAddress owner) {
    }

    /** An entry whose {@code mail} is one of the claimed alias keys. */
    record MailHolder(String mailKey, String normalizedDn, String dn) {
    }

    Optional<MailAddress> owner(String aliasKey) {
        return Optional.ofNullable(owners.get(aliasKey));
    }

    /**
     * Builds the table from every alias claim of the directory and the entries whose mail is a claimed alias.
     *
     * @param warn receives a message key (to report once) and the message
     */
    static AliasTable resolve(List<Claim> claims, List<MailHolder> mailHolders, long builtAtNanos,
                              BiConsumer<String, String> warn) {
        Map<String, Map<String, Claim>> claimsByKey = new LinkedHashMap<>();
        Set<String> dependentDns = new HashSet<>();
        for (Claim claim : claims) {
            claimsByKey.computeIfAbsent(claim.aliasKey(), k -> new TreeMap<>()) // DNs in a stable order
                .putIfAbsent(claim.normalizedDn(), claim);
            dependentDns.add(claim.normalizedDn());
        }
        Map<String, List<MailHolder>> holdersByKey = new HashMap<>();
        for (MailHolder holder : mailHolders) {
            holdersByKey.computeIfAbsent(holder.mailKey(), k -> new ArrayList<>()).add(holder);
        }

        Map<String, MailAddress> owners = new HashMap<>();
        int ambiguous = 0;
        int conflicting = 0;
        for (Map.Entry<String, Map<String, Claim>> entry : claimsByKey.entrySet()) {
            String alias = entry.getKey();
            Map<String, Claim> claimants = entry.getValue();
            List<MailHolder> holders = holdersByKey.getOrDefault(alias, List.of()).stream()
                .filter(holder -> !claimants.containsKey(holder.normalizedDn()))
                .sorted(Comparator.comparing(MailHolder::normalizedDn))
                .toList();
            if (!holders.isEmpty()) {
                conflicting++;
                holders.forEach(holder -> dependentDns.add(holder.normalizedDn()));
                warn.accept("conflict:" + alias + ":" + claimants.keySet() + ":" + holders.size(),
                    "Directory: alias " + alias + " of " + dns(claimants) + " is the mail of "
                        + String.join(" and ", holders.stream().map(MailHolder::dn).toList())
                        + ": the entry wins, alias left out");
                continue;
            }
            if (claimants.size() > 1) {
                ambiguous++;
                warn.accept("alias:" + alias + ":" + claimants.keySet(), "Directory: alias " + alias
                    + " is claimed by several entries (" + dns(claimants) + "): ambiguous, left out");
                continue;
            }
            owners.put(alias, claimants.values().iterator().next().owner());
        }
        return new AliasTable(Map.copyOf(owners), Set.copyOf(dependentDns), Set.copyOf(claimsByKey.keySet()),
            builtAtNanos, ambiguous, conflicting);
    }

    private static String dns(Map<String, Claim> claimants) {
        return String.join(" and ", claimants.values().stream().map(Claim::dn).toList());
    }
}
