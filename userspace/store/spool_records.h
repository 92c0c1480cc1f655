// The records of a spool journal (see spool_journal.h for the framing). Each carries the
// exact payload of one REST request except the server's run id, so a resend after a crash
// or an outage sends the same bytes again:
//   {"t":"run", "local_run_id", "tracking_uri", "experiment_id", "experiment_name", "create": {runs/create body}}
//   {"t":"batch", "p": {"metrics","params","tags"}}      runs/log-batch, already within the limits
//   {"t":"inputs", "p": {"datasets"}}                    runs/log-inputs
//   {"t":"artifact", "path": "rel/path", "blob": "<seq>"}  bytes in <id>.blobs/<seq>
//   {"t":"end", "p": {"status","end_time"}}              runs/update
#pragma once

namespace bpfpads {

// Tag on every spooled run: finds the run on the server if runs/create was answered but
// the answer was lost (server killed mid-request), so a resend never creates a second run.
inline constexpr const char kLocalRunIdTag[] = "bpfpads.local_run_id";
// Set when data is missing on the server; the summary of what and why.
inline constexpr const char kIncompleteTag[] = "bpfpads.incomplete";
inline constexpr const char kSpoolProblemsTag[] = "bpfpads.spool_problems";

}  // namespace bpfpads
