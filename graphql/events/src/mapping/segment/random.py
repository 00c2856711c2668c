# Writes N random mappings (every directive, nested, over the paths of events.json) for
# gen.js: `python3 random.py SEED N` writes mappings.json (see README.md).
import json, random, sys
random.seed(int(sys.argv[1])); n=int(sys.argv[2])
paths=["$.userId","$.event","$.properties","$.properties.products","$.properties.products[0].price","properties.products.1","$.properties.zero","$.properties.empty","$.properties.null","$.properties.emptyArr","$.traits","$.context.traits","$.context","$.properties.name","$.properties.total","$.properties.x","$.properties.a","$.properties.a.b","$.nope","$.properties.json","$.properties.items","$.properties.upper","$.properties.n","$.properties.f","$.event.length","$.properties.mixed","", ".", "$.properties['a.b']", "$.properties.arr[0]", "$.properties.emoji", "$.properties.big", "$.properties.small","$.anonymousId","$.type","$.properties.halves","$.properties.nested","$.properties.false"]
lits=[0,1,-1.5,"","a","A b",True,False,None,[],{},[1,None],{"k":None},"{{userId}}","1e3","x.y"]
dirs=["@path","@template","@literal","@if","@case","@replace","@arrayPath","@json","@flatten","@merge","@transform","@excludeWhenNull"]
def val(d):
  if d>3 or random.random()<0.3: return random.choice(lits)
  if random.random()<0.15: return {random.choice(["a","b","0","1"]): val(d+1) for _ in range(random.randint(1,3))}
  if random.random()<0.05: return [val(d+1) for _ in range(random.randint(0,3))]
  return directive(d+1)
def s(d): return {"@path": random.choice(paths)} if random.random()<0.7 else val(d)
weird=[{"@nope":1},{"@":1},{"@path":"$.userId","_metadata":{"a":1}},{"@path":"a","@template":"b"},{"@if":"str"},{"@if":{"exists":0,"blank":"x","then":1}},
 {"@merge":{"direction":"right","objects":"x"}},{"@merge":{"direction":"right","objects":[1,"ab",[5],None]}},{"@json":[]},{"@arrayPath":{"a":1}},{"@transform":{"apply":[],"mapping":{}}},
 {"@transform":{"apply":{"@path":"$.properties"},"mapping":{"@path":"$.name"}}},{"@excludeWhenNull":None},{"@case":{"operator":"lower","value":5}},{"@case":{"operator":"lower"}},
 {"@flatten":{"separator":{"@path":"$.event"},"value":{"@path":"$.properties"}}},{"@replace":{"pattern":"a","value":"banana","replacement":None}},{"@replace":{"pattern":"a","value":"b","global":"no"}},
 {"@path":{"@template":"properties.{{event}}"}},{"@template":5},{"@json":{"mode":"encode","value":{"@path":"$.properties"},"extra":1}},{"x":1,"@path":"$.event"},{"@if":{"exists":{"@path":"$.userId"},"then":[{"@nope":1}]}},
 [{"@path":"$.event","@nope":1}],[{"@nope":1,"@path":"$.event"}],{"@literal":{"@literal":{"@path":"$.type"}}},{"@arrayPath":["$.properties.products",{"@nope":1}]},{"@arrayPath":["$.properties.products",{"_metadata":1}]}]
def directive(d):
  if random.random()<0.08: return random.choice(weird)
  k=random.choice(dirs)
  if k=="@path": return {k: random.choice(paths) if random.random()<0.9 else val(d)}
  if k=="@template": return {k: random.choice(["{{%s}}"%p.replace("$.","") for p in paths]+["{{{properties.tpl}}}","x{{ event }}y{{userId}}","{{}}","{{ }}","plain"]) if random.random()<0.9 else val(d)}
  if k=="@literal": return {k: val(d)}
  if k=="@if":
    o={}
    r=random.random()
    if r<0.45: o["exists"]=s(d)
    elif r<0.9: o["blank"]=s(d)
    if random.random()<0.8: o["then"]=val(d)
    if random.random()<0.7: o["else"]=val(d)
    return {k:o}
  if k=="@case": return {k:{"operator":random.choice(["lower","upper","upper","lower","x"]),"value":s(d)}}
  if k=="@replace":
    o={"pattern":random.choice(["a","e",".","1"," ","-","E","$","ß","ab"]),"value":s(d)}
    if random.random()<0.8: o["replacement"]=random.choice(["","_","$&","$$","x$'","$`y","Z"])
    if random.random()<0.3: o["ignorecase"]=random.choice([True,False])
    if random.random()<0.3: o["global"]=random.choice([True,False])
    if random.random()<0.2: o["pattern2"]="b"; o["replacement2"]="B"
    return {k:o}
  if k=="@arrayPath":
    return {k:[random.choice(paths) if random.random()<0.8 else directive(d), {"v": s(d), "w": {"@path": random.choice(["$.sku","$.price","price","","$.length","0"])}} if random.random()<0.8 else random.choice([{},None])]}
  if k=="@json": return {k:{"mode":random.choice(["encode","decode"]),"value":s(d)}}
  if k=="@flatten":
    o={"separator":random.choice([".","_","/"]),"value":s(d)}
    if random.random()<0.3: o["omitArrays"]=random.choice([True,False,1,0])
    return {k:o}
  if k=="@merge": return {k:{"direction":random.choice(["left","right"]),"objects":[s(d) if random.random()<0.6 else {"a":val(d),"0":val(d)} for _ in range(random.randint(1,3))]}}
  if k=="@transform": return {k:{"apply":{"a":s(d),"b":s(d)},"mapping":{"x":{"@path":random.choice(["$.a","$.b","a.0",""])},"y":val(d)}}}
  if k=="@excludeWhenNull": return {k: s(d) if random.random()<0.7 else val(d)}
out=[]
for _ in range(n):
  m={("f%d"%i): (directive(0) if random.random()<0.9 else val(0)) for i in range(random.randint(1,3))}
  r=random.random()
  if r<0.03: m=directive(0)
  elif r<0.06: m["__segment_internal_directive"]=random.choice([{"@transform":{"apply":{"a":{"@path":"$.event"}}}},{"@path":"$.x"},{},{"@a":{},"@b":{}},None,"s",[{"@path":"$.event"}]])
  out.append(m)
json.dump(out,open('mappings.json','w'))
