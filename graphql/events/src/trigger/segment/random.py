# Writes random triggers made of FQL's words, one per line, for gen.js:
#   python3 random.py 30000 11 > random.txt && node gen.js random.txt events.json > answers.json
#   FQL_RECORDED=answers.json cargo test -p houston-events -- --ignored answers_recorded_elsewhere
import random
import sys

count, seed = int(sys.argv[1]), int(sys.argv[2])
random.seed(seed)
words = r'''type event properties.a properties.a.\0 properties.a.length properties.a.\1.b properties.\. properties.\[\] traits.b context.c userId name and or null true false contains match ( ) ! = != < <= > >= "x" "*y" "y*" "😀z" 'q' , . [ ] - + 0 -0 1.5 9 1e3 * \ 😀 \😀 "track" "ab" "" exists number_equals is_true AND an nu _x constructor toString'''.split(' ')
for _ in range(count):
    print(''.join(random.choice(words) + random.choice(['', ' ', ' ', '\t']) for _ in range(random.randint(1, 20))))
