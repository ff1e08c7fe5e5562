"""Records: the files one stage hands to another, each a typed model with one owner.

Start here to see what flows between the stages. Every file that crosses a stage boundary or
lives in ``.nerwb/`` is one of these models; its writer and every reader go through
``load``/``save`` (``_base.Record``): JSON written atomically through ``nerwb.io``, a ``format``
version (a file without one is format 1, as the previous nerwb wrote it), and a corrupt or
foreign file refused with an ``InputError`` naming it.

=====================================  ==================================  =====================
file                                   record                              written by → read by
=====================================  ==================================  =====================
training/<run>/manifest.json           training.TrainingManifest           train → evaluate, predict
  its best_dev, each step's scores     dev_scores.DevScores                train → CLI, evaluate
  its training data's gold names       training.TrainGoldNames             train → evaluate (novelty)
labels/pulls/<time>/manifest.json      pull.PullManifest                   doccano pull → labels
labels/conversion-report.json          conversion.ConversionRecord         labels convert → you
  its left_out                         conversion.LeftOut                  labels convert → CLI
.nerwb/push-ledger.json                doccano.PushLedger                  push, review → select, suggest
.nerwb/doccano/assignments.json        doccano.AssignmentPlan              push → suggest, progress
.nerwb/doccano/annotators.json (0600)  doccano.AnnotatorPasswords          push → suggest, review, demo
.nerwb/doccano/credentials.json (0600) credentials.Credentials             doccano up → every connection
.nerwb/suggestions.json                suggestions.SuggestionLedgerFile    suggest → labels suggestions
=====================================  ==================================  =====================

The package sits below every stage in the import order and imports only ``io`` and
``errors``, so a renamed field is a type error or a failing test, not a distant command.
"""
