// The processor ran (the loop's source was generated and compiled) and the user's main class,
// started by exec:exec as the README shows, trained: each of its steps printed a finite loss and
// the last loss is below the first.
def generated = new File(basedir, 'target/generated-sources/annotations/com/example/LineFitLoop.java')
assert generated.isFile(): "no loop was generated: $generated is missing (annotationProcessorPaths ignored?)"
assert generated.text.contains('public final class LineFitLoop')
assert new File(basedir, 'target/classes/com/example/LineFitLoop.class').isFile(): "the loop did not compile"
// the README's first example compiled: its class, the loop generated from it, and the calls
assert new File(basedir, 'target/classes/com/example/FashionMlpLoop.class').isFile(): "the README's FashionMlp did not generate a loop"
assert new File(basedir, 'target/classes/com/example/ReadmeFirstExample.class').isFile(): "the README's first example's calls did not compile"

def log = new File(basedir, 'build.log').getText('UTF-8')
assert log.contains("Apache Maven $mavenVersion "): "the project was not built with Maven $mavenVersion"
def losses = (log =~ /(?m)^step (\d+): loss ([0-9.eE+-]+)$/).collect { it[2] as double }
assert losses.size() == 20: "expected 20 'step N: loss X' lines from com.example.Train, found ${losses.size()}"
assert losses.every { !it.isNaN() && !it.isInfinite() }: "a loss is not finite: $losses"
assert losses.last() < losses.first() / 2: "training did not reduce the loss: $losses"
assert log.contains('trained: y = '): 'com.example.Train did not finish'
return true
