"""Records: the files one stage hands to another, each a typed model with one owner.

Start here to see what flows between the stages. Every file that crosses a stage boundary or
lives in ``.nerwb/`` is one of these models; its writer and every reader go through
``load``/``save`` (``_base.Record``): JSON written atomically through ``nerwb.io``, a ``format``
version (a file without one is format 1, as the previous nerwb wrote it), and a corrupt or
foreign file refused with an ``InputError`` naming it. A JSONL file has a model per line
(``lines.RecordLine``, read with ``read``, written with ``write_lines``): a line carries
``format`` from format 2 on (every file so far is format 1 and keeps its bytes), and a bad line
is refused naming the file and the line.

=====================================  ==================================  =====================
file                                   record                              written by → read by
=====================================  ==================================  =====================
corpus/articles.jsonl (a line each)    articles.Article                    corpus add, labels import → every stage
corpus/duplicates.jsonl                articles.SkippedDuplicate           corpus add → corpus stats
corpus/splits.json                     splits.SplitsFile                   corpus split, labels import → every stage
labels/pulls/<time>/<annotator>.jsonl  annotations.SegmentLine             doccano pull → labels
labels/imports/<annotator>.jsonl       annotations.SegmentLine             labels import → labels
labels/gold/gold.jsonl                 annotations.GoldLine (LeftOutLine)  labels merge → convert, select
labels/gold/conflicts.jsonl            annotations.ConflictLine            labels merge → labels review
training/<run>/manifest.json           training.TrainingManifest           train → evaluate, predict
  its best_dev, each step's scores     dev_scores.DevScores                train → CLI, evaluate
  its training data's gold names       training.TrainGoldNames             train → evaluate (novelty)
  the conversion that made its data    training.ConversionFacts            train → you
evaluate/<run>/metrics.json            metrics.MetricsFile                 evaluate → compare
evaluate/<run>/per_doc.jsonl           metrics.DocCountsLine               evaluate → compare
labels/pulls/<time>/manifest.json      pull.PullManifest                   doccano pull → labels
labels/conversion-report.json          conversion.ConversionRecord         labels convert → you
  its left_out                         conversion.LeftOut                  labels convert → CLI
.nerwb/push-ledger.json                doccano.PushLedger                  push, review → select, suggest
.nerwb/doccano/assignments.json        doccano.AssignmentPlan              push → suggest, progress
.nerwb/doccano/annotators.json (0600)  doccano.AnnotatorPasswords          push → suggest, review, demo
.nerwb/doccano/credentials.json (0600) credentials.Credentials             doccano up → every connection
.nerwb/suggestions.json                suggestions.SuggestionLedgerFile    suggest → labels suggestions
.nerwb/doccano/server.json (0600)      server.ServerState                  doccano up → status, down, migrate
  its processes                        server.ServerProcess                doccano up → status, down
.nerwb/workspace.lock.json             lock.LockHolder                     a writer → a second writer
=====================================  ==================================  =====================

Not records, on purpose: ``labels/patterns.jsonl`` (spaCy's entity-ruler format, which users
extend), the user's own inputs, Doccano's exports, and the reports written for people and
read by nobody else (``errors.jsonl``, ``problems.jsonl``, ``disagreements.jsonl``).

The package sits below every stage in the import order and imports only ``io``, ``errors`` and
``choices``, so a renamed field is a type error or a failing test, not a distant command.
"""
